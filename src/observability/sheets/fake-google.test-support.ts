import { generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { Clock } from '../../resilience/index.ts';
import type { SheetValue } from './sheet-row.ts';

/** What a test file needs to play a service account: a folder for its files and a key pair. */
export interface TestServiceAccount {
  readonly dir: string;
  readonly privatePem: string;
  readonly publicKey: KeyObject;
}

/** A temporary folder and an RSA key pair, made before the file's tests and removed after. */
export function useTestServiceAccount(prefix: string): TestServiceAccount {
  let made: { dir: string; privatePem: string; publicKey: KeyObject } | undefined;
  beforeAll(() => {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    made = {
      dir: mkdtempSync(join(tmpdir(), prefix)),
      privatePem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      publicKey: pair.publicKey,
    };
  });
  afterAll(() => {
    if (made) rmSync(made.dir, { recursive: true, force: true });
  });
  const get = (): NonNullable<typeof made> => {
    if (!made) throw new Error('useTestServiceAccount: read it inside a test');
    return made;
  };
  return {
    get dir() {
      return get().dir;
    },
    get privatePem() {
      return get().privatePem;
    },
    get publicKey() {
      return get().publicKey;
    },
  };
}

/**
 * How the fake Sheets API answers appends (and reads, when down). `echo-authorization`: a
 * 500 whose body repeats the request's Authorization header, as a misbehaving proxy may.
 */
export type SheetsMode = 'ok' | 'down' | 'append-then-drop' | 'echo-authorization';

export interface FakeGoogle {
  readonly url: string;
  readonly tokenUri: string;
  /** Every row appended, in order. */
  readonly rows: SheetValue[][];
  /** Each append that reached the sheet, with its row count. */
  readonly appends: number[];
  readonly reads: string[];
  readonly tokenRequests: number;
  /** Why token requests were refused (a bad JWT): must stay empty. */
  readonly jwtErrors: string[];
  /** Every assertion the token endpoint received. */
  readonly assertions: string[];
  /** Every access token handed out. */
  readonly issuedTokens: string[];
  mode: SheetsMode;
  /** `echo-assertion`: the token endpoint answers 400 repeating the signed assertion. */
  tokenMode: 'ok' | 'echo-assertion';
  /** Resolves when `count` Sheets requests (appends and reads) have been answered in all. */
  handled(count: number): Promise<void>;
  close(): Promise<void>;
}

export interface FakeGoogleOptions {
  publicKey: KeyObject;
  clientEmail: string;
  spreadsheetId: string;
  clock: Clock;
  /** The n-th access token (default `ya29.fake-<n>`). */
  tokenFor?: (n: number) => string;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const json = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};

/** A Google OAuth token endpoint and Sheets values API on loopback that check what they get. */
export async function startFakeGoogle(options: FakeGoogleOptions): Promise<FakeGoogle> {
  const rows: SheetValue[][] = [];
  const appends: number[] = [];
  const reads: string[] = [];
  const jwtErrors: string[] = [];
  const assertions: string[] = [];
  const tokens = new Set<string>();
  let tokenRequests = 0;
  let sheetsHandled = 0;
  let waiters: Array<{ count: number; resolve: () => void }> = [];
  const done = (): void => {
    sheetsHandled++;
    waiters = waiters.filter((w) => (w.count <= sheetsHandled ? (w.resolve(), false) : true));
  };
  let url = '';

  const checkJwt = (assertion: string): string | undefined => {
    const [h, p, s] = assertion.split('.');
    if (!h || !p || !s) return 'not a JWT';
    const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as { alg?: string };
    if (header.alg !== 'RS256') return `alg ${header.alg}`;
    if (!verify('sha256', Buffer.from(`${h}.${p}`), options.publicKey, Buffer.from(s, 'base64url')))
      return 'bad signature';
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const iat = Math.floor(options.clock.now() / 1000);
    if (claims['iss'] !== options.clientEmail) return 'iss';
    if (claims['scope'] !== 'https://www.googleapis.com/auth/spreadsheets') return 'scope';
    if (claims['aud'] !== `${url}/token`) return 'aud';
    if (claims['iat'] !== iat) return `iat ${String(claims['iat'])} != ${iat}`;
    if (claims['exp'] !== iat + 3600) return 'exp';
    return undefined;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    const target = new URL(req.url ?? '/', url);
    if (req.method === 'POST' && target.pathname === '/token') {
      tokenRequests++;
      const form = new URLSearchParams(body);
      assertions.push(form.get('assertion') ?? '');
      if (fake.tokenMode === 'echo-assertion') {
        return json(res, 400, {
          error: 'invalid_grant',
          error_description: `Invalid JWT Signature: ${form.get('assertion') ?? ''}`,
        });
      }
      const problem =
        form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer'
          ? 'grant_type'
          : checkJwt(form.get('assertion') ?? '');
      if (problem) {
        jwtErrors.push(problem);
        return json(res, 400, { error: 'invalid_grant', error_description: problem });
      }
      const token = options.tokenFor?.(tokenRequests) ?? `ya29.fake-${tokenRequests}`;
      tokens.add(token);
      return json(res, 200, { access_token: token, expires_in: 3600, token_type: 'Bearer' });
    }
    const prefix = `/v4/spreadsheets/${options.spreadsheetId}/values/`;
    if (!target.pathname.startsWith(prefix)) return json(res, 404, { error: { code: 404 } });
    const auth = req.headers.authorization ?? '';
    if (!tokens.has(auth.replace(/^Bearer /, ''))) {
      json(res, 401, { error: { code: 401, status: 'UNAUTHENTICATED' } });
      return done();
    }
    if (fake.mode === 'echo-authorization') {
      json(res, 500, {
        error: {
          code: 500,
          status: 'INTERNAL',
          message: `Internal error. Headers: Authorization: ${auth}`,
        },
      });
      return done();
    }
    if (fake.mode === 'down') {
      json(res, 503, {
        error: {
          code: 503,
          message: 'The service is currently unavailable.',
          status: 'UNAVAILABLE',
        },
      });
      return done();
    }
    const rest = target.pathname.slice(prefix.length);
    if (req.method === 'GET') {
      const range = decodeURIComponent(rest);
      reads.push(range);
      const column = range === 'Logs!I:I' ? rows.map((r) => String(r[8])) : [];
      json(res, 200, {
        range,
        majorDimension: target.searchParams.get('majorDimension'),
        values: [column],
      });
      return done();
    }
    if (
      req.method !== 'POST' ||
      decodeURIComponent(rest) !== 'Logs!A:I:append' ||
      target.searchParams.get('valueInputOption') !== 'RAW'
    ) {
      json(res, 400, { error: { code: 400, status: 'INVALID_ARGUMENT' } });
      return done();
    }
    const values = (JSON.parse(body) as { values: SheetValue[][] }).values;
    rows.push(...values);
    appends.push(values.length);
    if (fake.mode === 'append-then-drop') {
      fake.mode = 'ok';
      req.socket.destroy();
      return done();
    }
    json(res, 200, { updates: { updatedRows: values.length } });
    done();
  };

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const fake: FakeGoogle = {
    mode: 'ok',
    tokenMode: 'ok',
    get url() {
      return url;
    },
    get tokenUri() {
      return `${url}/token`;
    },
    rows,
    appends,
    reads,
    jwtErrors,
    assertions,
    get issuedTokens() {
      return [...tokens];
    },
    get tokenRequests() {
      return tokenRequests;
    },
    handled: (count: number) =>
      new Promise<void>((resolve) => {
        if (sheetsHandled >= count) resolve();
        else waiters.push({ count, resolve });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return fake;
}
