import { describe, expect, it } from 'vitest';
import { EMBEDDING_DIMENSIONS } from '../../functions/contracts/embeddings.js';
import { ENV } from '../../functions/contracts/env.js';
import { asList, everyPolicyStatement, functionStatements, logicalId, synth, type Json } from './support.js';

describe('memory vectors in the stack', () => {
  const { stack, template } = synth();
  const indexId = logicalId(stack.memoryVectors.index);

  it('holds one encrypted vector bucket and one cosine float32 index of the embedding width, tenant and model filterable, key not', () => {
    const buckets = Object.values(template.findResources('AWS::S3Vectors::VectorBucket')) as Json[];
    expect(buckets).toHaveLength(1);
    expect((buckets[0] as Json).Properties).toMatchObject({ EncryptionConfiguration: { SseType: 'AES256' } });
    expect((buckets[0] as Json).DeletionPolicy).toBe('Retain');
    const indexes = Object.values(template.findResources('AWS::S3Vectors::Index')) as Json[];
    expect(indexes).toHaveLength(1);
    expect((indexes[0] as Json).Properties).toMatchObject({
      DataType: 'float32',
      Dimension: EMBEDDING_DIMENSIONS,
      DistanceMetric: 'cosine',
      MetadataConfiguration: { NonFilterableMetadataKeys: ['key'] },
    });
  });

  it('grants the MCP function only vector reads and writes on that index, and tells it the index ARN', () => {
    const vectorStatements = functionStatements(template, logicalId(stack.mcp.function)).filter((s) => asList(s.Action).some((a) => a.startsWith('s3vectors:')));
    expect(vectorStatements).toHaveLength(1);
    expect(asList(vectorStatements[0]?.Action).sort()).toEqual(['s3vectors:DeleteVectors', 's3vectors:GetVectors', 's3vectors:PutVectors', 's3vectors:QueryVectors']);
    expect(vectorStatements[0]?.Resource).toEqual({ 'Fn::GetAtt': [indexId, 'IndexArn'] });
    const fn = template.findResources('AWS::Lambda::Function')[logicalId(stack.mcp.function)] as Json;
    expect(((fn.Properties as Json).Environment as Json).Variables).toMatchObject({ [ENV.vectorIndexArn]: { 'Fn::GetAtt': [indexId, 'IndexArn'] } });
  });

  it('grants the consumers that remember closed decisions the same vector access, so those memories are indexed at once', () => {
    const consumer = stack.consumers.consumers.find((c) => c.spec.consumer === 'decision-workflows');
    expect(consumer).toBeDefined();
    const id = logicalId(consumer?.function as never);
    const statements = functionStatements(template, id).filter((s) => asList(s.Action).some((a) => a.startsWith('s3vectors:')));
    expect(statements.map((s) => s.Resource)).toEqual([{ 'Fn::GetAtt': [indexId, 'IndexArn'] }]);
    const fn = template.findResources('AWS::Lambda::Function')[id] as Json;
    expect(((fn.Properties as Json).Environment as Json).Variables).toMatchObject({ [ENV.vectorIndexArn]: { 'Fn::GetAtt': [indexId, 'IndexArn'] } });
  });

  it('gives no other principal any S3 Vectors action, and nobody bucket or index management', () => {
    const mcpPolicy = JSON.stringify(functionStatements(template, logicalId(stack.mcp.function)));
    const all = everyPolicyStatement(template).filter((s) => asList(s.statement.Action).some((a) => a.startsWith('s3vectors:')));
    for (const s of all) expect(mcpPolicy).toContain(JSON.stringify(s.statement.Action));
    const actions = all.flatMap((s) => asList(s.statement.Action));
    for (const never of ['s3vectors:CreateIndex', 's3vectors:DeleteIndex', 's3vectors:DeleteVectorBucket', 's3vectors:PutVectorBucketPolicy', 's3vectors:ListVectors']) expect(actions).not.toContain(never);
  });
});
