import { RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnIndex, CfnVectorBucket } from 'aws-cdk-lib/aws-s3vectors';
import { Construct } from 'constructs';
import { EMBEDDING_DIMENSIONS, MEMORY_VECTOR_NON_FILTERABLE_KEYS } from '../../functions/contracts/embeddings.js';
import { ENV } from '../../functions/contracts/env.js';

export interface MemoryVectorsProps {
  /**
   * What happens to the vector bucket and index when they leave the stack.
   * The vectors are derived data (the table is the source of truth; `npm run
   * memory -- reembed` rebuilds them), but retained by default like the table.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Memory vectors in Amazon S3 Vectors: one vector bucket (server-side
 * encryption with S3-managed keys) and one index shared by every tenant,
 * cosine distance over float32 vectors of EMBEDDING_DIMENSIONS, the tenant
 * and model as filterable metadata and the memory key non-filterable
 * (functions/adapters/aws/s3-vectors-index.ts says why one shared index).
 */
export class MemoryVectors extends Construct {
  readonly bucket: CfnVectorBucket;
  readonly index: CfnIndex;

  constructor(scope: Construct, id: string, props: MemoryVectorsProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.bucket = new CfnVectorBucket(this, 'Bucket', { encryptionConfiguration: { sseType: 'AES256' } });
    this.index = new CfnIndex(this, 'Index', {
      vectorBucketArn: this.bucket.attrVectorBucketArn,
      indexName: 'memories',
      dataType: 'float32',
      dimension: EMBEDDING_DIMENSIONS,
      distanceMetric: 'cosine',
      metadataConfiguration: { nonFilterableMetadataKeys: [...MEMORY_VECTOR_NON_FILTERABLE_KEYS] },
    });
    this.bucket.applyRemovalPolicy(removalPolicy);
    this.index.applyRemovalPolicy(removalPolicy);
  }

  /**
   * Lets a function write, query and delete memory vectors of this index and
   * nothing else (no bucket or index management, no other index), and tells
   * it where the index is. GetVectors is what a query returning metadata
   * also needs.
   */
  grantReadWrite(fn: IFunction & { addEnvironment(key: string, value: string): unknown }): void {
    fn.addEnvironment(ENV.vectorIndexArn, this.index.attrIndexArn);
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3vectors:PutVectors', 's3vectors:QueryVectors', 's3vectors:GetVectors', 's3vectors:DeleteVectors'],
        resources: [this.index.attrIndexArn],
      }),
    );
  }
}
