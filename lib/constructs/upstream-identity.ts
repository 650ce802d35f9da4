import { ArnFormat, Aws, Duration, RemovalPolicy, SecretValue, Stack, Validations } from 'aws-cdk-lib';
import type { UserPoolClient, UserPoolDomain } from 'aws-cdk-lib/aws-cognito';
import { AccountRecovery, Mfa, OAuthScope, UserPool, UserPoolClientIdentityProvider } from 'aws-cdk-lib/aws-cognito';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ENV } from '../../functions/contracts/env.js';

/** The consent page's callback path (functions/mcp/oauth-upstream.ts CALLBACK_PATH). */
export const OIDC_CALLBACK_PATH = '/oauth/callback';

/** Checks of the values bin/context.ts validates before they reach the construct. */
export const UPSTREAM_IDENTITY_PATTERNS = {
  /** A Cognito hosted UI domain prefix: lowercase letters, digits and hyphens, not at either end. */
  cognitoDomainPrefix: /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
  issuer: /^https:\/\/[^\s/?#]+(?:\/[^\s?#]*)?$/,
  clientId: /^[\x21-\x7e]{1,256}$/,
  /** A Secrets Manager secret ARN (complete, with its six-character suffix, or partial). */
  secretArn: /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/,
  name: /^[^<>"&\n]{1,64}$/,
  groupsClaim: /^[A-Za-z0-9_:./-]{1,128}$/,
} as const;

export type UpstreamIdentityProps =
  | {
      /** A Cognito user pool made by the stack: invitation only (no self sign-up), MFA required, its hosted UI and one public app client. */
      readonly kind: 'cognito';
      /**
       * The hosted UI's domain prefix (`https://<prefix>.auth.<region>.amazoncognito.com`), unique in the region.
       *
       * @default `conclave-<account id>`
       */
      readonly domainPrefix?: string;
    }
  | {
      /** A trusted OpenID Connect issuer (Okta, Entra ID, Google Workspace, an existing Cognito pool, …). */
      readonly kind: 'oidc';
      readonly issuer: string;
      readonly clientId: string;
      /**
       * The Secrets Manager secret holding Conclave's client secret (the bare
       * secret, or JSON `{"client_secret": …}`). Absent: a public client (PKCE only).
       *
       * @default - none
       */
      readonly clientSecretArn?: string;
      /**
       * The ID token claim listing groups.
       *
       * @default 'groups'
       */
      readonly groupsClaim?: string;
      /**
       * The name on the consent page's button.
       *
       * @default - the issuer's host
       */
      readonly name?: string;
    };

export interface UpstreamIdentityConstructProps {
  readonly identity: UpstreamIdentityProps;
  /** The consent page's callback URL at the public base URL (the Function URL's or the custom domain's `/oauth/callback`): registered at the provider. */
  readonly callbackUrl: string;
  /**
   * What happens to the user pool (and its settings secret) when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN (with deletion protection)
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The consent page's upstream OpenID Connect provider: a Cognito user pool
 * the stack creates (`-c identity=cognito`), or a named issuer it trusts
 * (`-c identity=oidc`). `grantTo` gives the web function (the consent page's) the settings
 * (functions/runtime/config.ts reads them) and read access to exactly the
 * one secret it needs.
 *
 * The Cognito app client's id reaches the function through a secret with a
 * fixed name rather than its environment: the client's callback URL is the
 * Function URL, which depends on the function, so naming the client in the
 * function's environment would be a dependency cycle.
 */
export class UpstreamIdentity extends Construct {
  readonly userPool?: UserPool;
  readonly client?: UserPoolClient;
  readonly domain?: UserPoolDomain;
  /** The issuer URL the function discovers. */
  readonly issuer: string;
  /** The callback URL registered at the provider. */
  readonly callbackUrl: string;
  private readonly environment: Record<string, string>;
  private readonly secretResource: string | undefined;

  constructor(scope: Construct, id: string, { identity: props, callbackUrl, removalPolicy = RemovalPolicy.RETAIN }: UpstreamIdentityConstructProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.callbackUrl = callbackUrl;

    if (props.kind === 'oidc') {
      this.issuer = props.issuer.replace(/\/$/, '');
      this.environment = {
        [ENV.oidcIssuer]: this.issuer,
        [ENV.oidcClientId]: props.clientId,
        [ENV.oidcName]: props.name ?? new URL(props.issuer).host,
        [ENV.oidcGroupsClaim]: props.groupsClaim ?? 'groups',
        ...(props.clientSecretArn ? { [ENV.oidcClientSecretId]: props.clientSecretArn } : {}),
      };
      // A complete ARN ends with the six characters Secrets Manager appends; a partial one needs them matched.
      this.secretResource = props.clientSecretArn && (/-[A-Za-z0-9]{6}$/.test(props.clientSecretArn) ? props.clientSecretArn : `${props.clientSecretArn}-??????`);
      return;
    }

    this.userPool = new UserPool(this, 'UserPool', {
      // Invitation only: an administrator creates each person (and adds them to groups); nobody signs themselves up.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      passwordPolicy: { minLength: 12, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true, tempPasswordValidity: Duration.days(3) },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG8',
      reason: 'The Plus feature plan (threat protection, adaptive authentication) is billed per active user; the pool is invitation-only with MFA required. Move the pool to Plus in the console if your organization needs adaptive authentication.',
    });
    this.domain = this.userPool.addDomain('HostedUi', { cognitoDomain: { domainPrefix: props.domainPrefix ?? `conclave-${Aws.ACCOUNT_ID}` } });
    this.client = this.userPool.addClient('ConsentClient', {
      userPoolClientName: 'conclave-consent',
      // A public client: the code exchange is bound by PKCE S256, and no client secret has to be copied into Secrets Manager by a custom resource.
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: { flows: { authorizationCodeGrant: true }, scopes: [OAuthScope.OPENID, OAuthScope.EMAIL], callbackUrls: [this.callbackUrl] },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      // Conclave reads the ID token once, at sign-in; it keeps no Cognito tokens.
      idTokenValidity: Duration.minutes(5),
      accessTokenValidity: Duration.minutes(5),
      refreshTokenValidity: Duration.minutes(60),
    });
    this.issuer = `https://cognito-idp.${stack.region}.${stack.urlSuffix}/${this.userPool.userPoolId}`;
    const secretName = `${Aws.STACK_NAME}/conclave/cognito-client`;
    const settings = new Secret(this, 'ClientSettings', {
      secretName,
      description: 'Conclave: the Cognito app client id the consent page signs people in with (not a credential: the client is public, PKCE-bound)',
      secretObjectValue: { client_id: SecretValue.unsafePlainText(this.client.userPoolClientId) },
      removalPolicy,
    });
    Validations.of(settings).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'It holds the public app client id, not a credential: there is nothing to rotate.',
    });
    this.environment = {
      [ENV.oidcIssuer]: this.issuer,
      [ENV.oidcClientSecretId]: secretName,
      [ENV.oidcName]: 'Cognito',
      [ENV.oidcGroupsClaim]: 'cognito:groups',
    };
    this.secretResource = stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${secretName}-??????`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  }

  /** The hosted UI's base URL (Cognito only). */
  get hostedUiUrl(): string | undefined {
    return this.domain?.baseUrl();
  }

  /** Gives `fn` the provider settings and read access to exactly its one secret. */
  grantTo(fn: IFunction & { addEnvironment(key: string, value: string): unknown }): void {
    for (const [key, value] of Object.entries(this.environment)) fn.addEnvironment(key, value);
    if (this.secretResource) fn.addToRolePolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [this.secretResource] }));
  }
}
