import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { additions, alarmMetrics, BEGIN, currentResourceFacts, END, renderResourceFacts, resourceCounts } from '../../scripts/deploy-facts.js';
import { synth } from './support.js';

/** The generated section of the README, between the markers. */
async function section(): Promise<string> {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  expect(start, 'README.md has the deploy-facts markers').toBeGreaterThanOrEqual(0);
  expect(end).toBeGreaterThan(start);
  return readme.slice(start + BEGIN.length, end);
}

describe('README deploy facts (scripts/deploy-facts.ts)', () => {
  it('list exactly the resource types and counts of the current template (run `npm run deploy-facts` after changing the stack)', { timeout: 60_000 }, async () => {
    expect(await section()).toContain(await currentResourceFacts());
  });

  it('list a bundle size for every Lambda function of the stack', async () => {
    const text = await section();
    const { template } = synth();
    const functions = Object.keys(template.findResources('AWS::Lambda::Function'));
    const rows = text.split('\n').filter((line) => /^\| `[^`]+` \| `functions\/handlers\/[^`]+\.ts` \| [\d,]+ \|$/.test(line));
    expect(rows).toHaveLength(functions.length);
    expect(text).toMatch(/measured \d{4}-\d{2}-\d{2} by `npm run deploy-facts`/);
  });

  it('counts resources by type and alarm metrics as CloudWatch bills them', () => {
    const resources = {
      a: { Type: 'AWS::CloudWatch::Alarm', Properties: { MetricName: 'Errors' } },
      b: { Type: 'AWS::CloudWatch::Alarm', Properties: { Metrics: [{ Expression: 'x + y' }, { MetricStat: {} }, { MetricStat: {} }] } },
      c: { Type: 'AWS::SQS::Queue' },
    };
    expect(resourceCounts(resources)).toEqual([
      ['AWS::CloudWatch::Alarm', 2],
      ['AWS::SQS::Queue', 1],
    ]);
    expect(alarmMetrics(resources)).toEqual({ alarms: 2, metrics: 3 });
    expect(additions({ c: { Type: 'AWS::SQS::Queue' } }, resources)).toEqual([['AWS::CloudWatch::Alarm', 2]]);
    const text = renderResourceFacts(resources, [{ keys: '`x`', added: [['AWS::SNS::Subscription', 1]] }]);
    expect(text).toContain('deploys **3 resources**');
    expect(text).toContain('| `AWS::CloudWatch::Alarm` | 2 |');
    expect(text).toContain('- `x`: +1 `AWS::SNS::Subscription`');
    expect(text).toContain('The 2 alarms read 3 alarm metrics');
  });
});
