/**
 * The CDK app (`npx cdk synth|deploy`). The only infra code that reads
 * context: everything below lib/ takes typed props. The keys, their
 * defaults and their validation are in bin/context.ts.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConclaveStack, type ConclaveStackProps } from '../lib/conclave-stack.js';
import { ContextError, stackPropsFromContext } from './context.js';

const app = new App();

/** The stack props from context; a bad value ends synth with one line naming the key. */
function propsFromContext(): ConclaveStackProps {
  try {
    return stackPropsFromContext((key) => app.node.tryGetContext(key));
  } catch (error) {
    if (!(error instanceof ContextError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

new ConclaveStack(app, 'Conclave', { description: 'Conclave: an AI organization served as a remote MCP server', ...propsFromContext() });

// cdk-nag 3 is a policy-validation plugin: any unacknowledged finding fails synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

app.synth();
