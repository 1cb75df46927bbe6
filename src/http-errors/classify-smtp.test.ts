import { describe, expect, it } from 'vitest';
import { classifySmtpError } from './classify-smtp.ts';

/** Shaped like nodemailer's errors. */
const smtpError = (fields: { responseCode?: number; code?: string; response?: string }): Error =>
  Object.assign(new Error(fields.response ?? 'smtp'), fields);

describe('classifySmtpError', () => {
  it.each([421, 450, 451, 452])('a %d reply is transient', (responseCode) => {
    const error = classifySmtpError(
      'Email',
      smtpError({ responseCode, code: 'EENVELOPE', response: `${responseCode} try later` }),
    );
    expect(error.errorClass).toBe('transient');
    expect(error.providerCode).toBe(String(responseCode));
  });

  it.each([535, 550, 553, 554])('a %d reply is permanent (service)', (responseCode) => {
    const error = classifySmtpError(
      'Email',
      smtpError({ responseCode, response: `${responseCode} 5.7.8 no` }),
    );
    expect(error.errorClass).toBe('permanent/service');
    expect(error.message).toBe(`${responseCode} 5.7.8 no`);
  });

  it('552 (message too large) is about this message', () => {
    expect(classifySmtpError('Email', smtpError({ responseCode: 552 })).errorClass).toBe(
      'permanent/request',
    );
  });

  it.each(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS'])(
    'a connection error (%s) is transient',
    (code) => {
      expect(classifySmtpError('Email', smtpError({ code })).errorClass).toBe('transient');
    },
  );

  it.each(['EAUTH', 'ENOAUTH'])(
    'an auth failure without a reply code (%s) is permanent (service)',
    (code) => {
      expect(classifySmtpError('Email', smtpError({ code })).errorClass).toBe('permanent/service');
    },
  );

  it('names the server, and the code and first line of an error without a reply', () => {
    const error = classifySmtpError(
      'Email',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:2525\n  at x'), {
        code: 'ESOCKET',
      }),
      { server: 'smtp.example.com:587' },
    );
    expect(error.message).toBe(
      'SMTP smtp.example.com:587: ESOCKET connect ECONNREFUSED 127.0.0.1:2525',
    );
  });

  it('keeps the password out of the message', () => {
    const error = classifySmtpError(
      'Email',
      smtpError({ responseCode: 535, response: '535 bad login pw-SECRET-1' }),
      { secrets: ['pw-SECRET-1'] },
    );
    expect(error.message).not.toContain('pw-SECRET-1');
  });
});
