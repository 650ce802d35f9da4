import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGED_MODEL_ID, PackagedEmbedder } from '../../functions/adapters/local/packaged-embedder.js';

const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, x, i) => sum + x * (b[i] as number), 0);

describe('PackagedEmbedder (the offline model shipped in npm)', () => {
  const attempts: string[] = [];
  const saved = { fetch: globalThis.fetch, httpRequest: http.request, httpsRequest: https.request, connect: net.Socket.prototype.connect };
  const embedder = new PackagedEmbedder();

  beforeAll(() => {
    // Any network use while the model loads or runs fails the test: the weights must come from node_modules.
    const refuse = (what: string) => () => {
      attempts.push(what);
      throw new Error(`network access attempted: ${what}`);
    };
    globalThis.fetch = refuse('fetch') as typeof fetch;
    http.request = refuse('http.request') as typeof http.request;
    https.request = refuse('https.request') as typeof https.request;
    net.Socket.prototype.connect = refuse('socket connect') as typeof net.Socket.prototype.connect;
  });
  afterAll(() => {
    globalThis.fetch = saved.fetch;
    http.request = saved.httpRequest;
    https.request = saved.httpsRequest;
    net.Socket.prototype.connect = saved.connect;
  });

  it('loads from the package with no network and returns 512-dimension unit vectors in input order', { timeout: 60_000 }, async () => {
    const [a, b] = await embedder.embed(['first text', 'a second, longer text about something else']);
    expect(attempts).toEqual([]);
    expect(embedder.modelId).toBe(PACKAGED_MODEL_ID);
    for (const v of [a, b]) {
      expect(v).toBeInstanceOf(Float32Array);
      expect(v).toHaveLength(512);
      expect(Math.abs(dot(v as Float32Array, v as Float32Array) - 1)).toBeLessThan(1e-4);
    }
    expect(dot(a as Float32Array, b as Float32Array)).toBeLessThan(0.99);
    const [again] = await embedder.embed(['first text']);
    expect(dot(a as Float32Array, again as Float32Array)).toBeGreaterThan(0.9999);
  });

  it('places meaning near meaning: "the database is down" is nearer "postgres outage" than "quarterly revenue"', async () => {
    const [down, outage, revenue, hire, hired] = await embedder.embed([
      'the database is down',
      'postgres outage',
      'quarterly revenue',
      'we are hiring a new engineer',
      'a developer joined the team last week',
    ]);
    const sim = (x?: Float32Array, y?: Float32Array) => dot(x as Float32Array, y as Float32Array);
    expect(sim(down, outage)).toBeGreaterThan(sim(down, revenue) + 0.15);
    expect(sim(hire, hired)).toBeGreaterThan(sim(hire, outage));
    expect(sim(hire, hired)).toBeGreaterThan(sim(hire, revenue));
    expect(attempts).toEqual([]);
  });

  it('embeds an empty batch without loading anything', async () => {
    expect(await new PackagedEmbedder().embed([])).toEqual([]);
  });
});
