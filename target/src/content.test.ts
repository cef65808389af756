import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allCareers, gradeForStudent, GRADE_LEVELS } from './catalogue.ts';
import { generateContent, templatesFor } from './content.ts';

test('allCareers: every grade has careers, ids unique', () => {
  const careers = allCareers();
  assert.equal(new Set(careers.map((c) => c.id)).size, careers.length);
  for (let g = 0; g < GRADE_LEVELS; g++) assert.ok(careers.filter((c) => c.gradeLevel === g).length >= 8);
});

test('gradeForStudent is stable and within K..12', () => {
  assert.equal(gradeForStudent('student_1_1'), gradeForStudent('student_1_1'));
  const grades = new Set(Array.from({ length: 200 }, (_, i) => gradeForStudent(`student_${i}_0`)));
  assert.ok([...grades].every((g) => g >= 0 && g < GRADE_LEVELS));
  assert.ok(grades.size > 5, 'ids spread over grades');
});

test('generateContent: three filled containers, personalised, digest depends on the text and the rounds', () => {
  const [career] = allCareers().filter((c) => c.id === 'g5-astronaut');
  const content = generateContent(career!, templatesFor(career!));
  assert.equal(content.learn.sections.length, 8);
  assert.equal(content.experience.activities.length, 8);
  assert.equal(content.discover.prompts.length, 8);
  assert.match(content.learn.sections[0]!.body, /Astronaut/);
  assert.doesNotMatch(JSON.stringify(content), /\{\{/);
  assert.ok(JSON.stringify(content).length > 5000, 'several KB of content');
  assert.equal(generateContent(career!, templatesFor(career!)).digest, content.digest);
  assert.notEqual(generateContent(career!, templatesFor(career!), { itemsPerContainer: 8, digestRounds: 10 }).digest, content.digest);
  const [other] = allCareers().filter((c) => c.id === 'g5-chef');
  assert.notEqual(generateContent(other!, templatesFor(other!)).digest, content.digest);
});
