// "Content generation": turns a career's templates (learn / experience / discover) into the
// containers a session shows. It does real CPU work on purpose — rendering several KB of text for
// every section and deriving a digest over it with repeated hashing — so the guidelines'
// content-generation SLA measures a cost, as a real generator (templating, AI post-processing)
// would have. Pure: data in, data out.

import { createHash } from 'node:crypto';
import type { Career } from './catalogue.ts';

export const CONTAINERS = ['learn', 'experience', 'discover'] as const;
export type Container = (typeof CONTAINERS)[number];

export interface ContentTemplate {
  title: string;
  /** paragraph templates: render() fills in {{career}}, {{cluster}}, {{grade}} and {{n}} at generation. */
  paragraphs: string[];
}

const PARAGRAPHS: Record<Container, string[]> = {
  learn: [
    'A {{career}} in {{cluster}} starts every day with a question. In grade {{grade}} you will find out which questions matter and why, lesson {{n}}.',
    'Key idea {{n}}: every {{career}} uses reading, numbers and careful observation. Practise them with examples from {{cluster}}.',
    'Vocabulary {{n}}: the words a {{career}} uses at work, explained with pictures and short stories for grade {{grade}}.',
  ],
  experience: [
    'Activity {{n}}: spend ten minutes as a {{career}}. Solve the problem on screen the way a professional in {{cluster}} would.',
    'Simulation {{n}}: make three decisions a {{career}} makes in a day and see what happens next.',
    'Team task {{n}}: plan a small project with classmates, each taking a role a {{career}} works with.',
  ],
  discover: [
    'Reflect {{n}}: what surprised you about being a {{career}}? Write two sentences.',
    'Explore {{n}}: find three other careers in {{cluster}} and how they work with a {{career}}.',
    'Connect {{n}}: which school subject in grade {{grade}} helps a {{career}} most, and why?',
  ],
};

/** The seed's templates for one career (what the `content` table stores per container). */
export function templatesFor(career: Career): Record<Container, ContentTemplate> {
  const out = {} as Record<Container, ContentTemplate>;
  for (const container of CONTAINERS) {
    out[container] = { title: `${container[0]!.toUpperCase()}${container.slice(1)}: ${career.name}`, paragraphs: PARAGRAPHS[container] };
  }
  return out;
}

function render(text: string, career: Career, n: number): string {
  return text
    .replaceAll('{{career}}', career.name)
    .replaceAll('{{cluster}}', career.cluster)
    .replaceAll('{{grade}}', career.gradeLevel === 0 ? 'K' : String(career.gradeLevel))
    .replaceAll('{{n}}', String(n));
}

/** Sections per container and hashing rounds: a few to tens of ms of CPU on one core. */
export const GENERATION_COST = { itemsPerContainer: 8, digestRounds: 800 } as const;

export interface GeneratedContent {
  learn: { title: string; sections: { heading: string; body: string }[] };
  experience: { title: string; activities: { name: string; instructions: string; minutes: number }[] };
  discover: { title: string; prompts: string[] };
  generatedAt: string;
  digest: string;
}

export function generateContent(
  career: Career,
  templates: Record<Container, ContentTemplate>,
  cost: { itemsPerContainer: number; digestRounds: number } = GENERATION_COST,
): GeneratedContent {
  const items = (container: Container) =>
    Array.from({ length: cost.itemsPerContainer }, (_, i) => {
      const paragraphs = templates[container].paragraphs;
      // Each item: several rendered paragraphs, so every container is a few KB of text.
      return Array.from({ length: 4 }, (_, j) => render(paragraphs[(i + j) % paragraphs.length]!, career, i * 4 + j + 1)).join(' ');
    });
  const learn = {
    title: templates.learn.title,
    sections: items('learn').map((body, i) => ({ heading: `Lesson ${i + 1}`, body })),
  };
  const experience = {
    title: templates.experience.title,
    activities: items('experience').map((instructions, i) => ({ name: `Activity ${i + 1}`, instructions, minutes: 5 + ((i * 7) % 20) })),
  };
  const discover = { title: templates.discover.title, prompts: items('discover') };
  // The digest stands for the expensive part of generation (and lets clients verify content).
  const text = JSON.stringify([learn, experience, discover]);
  let digest = createHash('sha256').update(text).digest();
  for (let round = 0; round < cost.digestRounds; round++) {
    digest = createHash('sha256').update(digest).update(text).digest();
  }
  return { learn, experience, discover, generatedAt: new Date().toISOString(), digest: digest.toString('hex') };
}
