// The demo domain: career clusters and occupations the seed loads, and how a student first seen
// by id gets a grade. Pure data and functions, shared by the seed and the routes.

import { createHash } from 'node:crypto';

export const GRADE_LEVELS = 13; // K (0) to 12

export const CAREER_CLUSTERS: Record<string, string[]> = {
  'Health Science': ['Nurse', 'Paramedic', 'Pharmacist', 'Physical Therapist', 'Veterinarian', 'Dentist'],
  'Information Technology': ['Software Developer', 'Network Engineer', 'Data Scientist', 'Game Designer', 'Cybersecurity Analyst', 'Robotics Engineer'],
  'Arts & Communication': ['Animator', 'Journalist', 'Musician', 'Photographer', 'Graphic Designer', 'Film Director'],
  'STEM': ['Astronaut', 'Marine Biologist', 'Chemist', 'Civil Engineer', 'Geologist', 'Meteorologist'],
  'Law & Public Safety': ['Firefighter', 'Police Officer', 'Judge', 'Lawyer', 'Park Ranger', 'Detective'],
  'Agriculture': ['Farmer', 'Botanist', 'Food Scientist', 'Forester', 'Beekeeper', 'Horticulturist'],
  'Business & Finance': ['Entrepreneur', 'Accountant', 'Banker', 'Economist', 'Marketing Manager', 'Store Manager'],
  'Education & Human Services': ['Teacher', 'Librarian', 'Counselor', 'Social Worker', 'Coach', 'Chef'],
};

export interface Career {
  id: string;
  name: string;
  cluster: string;
  gradeLevel: number;
}

/** Every career at every grade: 8 clusters x 6 occupations x 13 grades = 624 careers. */
export function allCareers(): Career[] {
  const careers: Career[] = [];
  for (let grade = 0; grade < GRADE_LEVELS; grade++) {
    for (const [cluster, names] of Object.entries(CAREER_CLUSTERS)) {
      for (const name of names) {
        const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
        careers.push({ id: `g${grade}-${slug}`, name, cluster, gradeLevel: grade });
      }
    }
  }
  return careers;
}

/** A stable grade for a student enrolled on the fly (the same id always gets the same grade). */
export function gradeForStudent(studentId: string): number {
  return createHash('sha1').update(studentId).digest().readUInt32BE(0) % GRADE_LEVELS;
}

export const STUDENT_ID_PATTERN = '^[A-Za-z0-9_.:@-]{1,128}$';
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const DEMO_STUDENT_ID = 'demo_student';
