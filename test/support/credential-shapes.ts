/** Each shape of credential the Redactor knows by its look (src/redact/secret-shapes.ts), as a value and a part of it that must never be printed. */
export const CREDENTIAL_SHAPES: { shape: string; value: string; secret: string }[] = [
  { shape: 'URL user:password@', value: 'https://admin:hunter2pw@logs.example.com/ingest', secret: 'hunter2pw' },
  { shape: 'DSN', value: 'postgres://app:dsnpass99@db.example.com:5432/app', secret: 'dsnpass99' },
  { shape: 'bearer token', value: 'Bearer tok3nVALUE123', secret: 'tok3nVALUE123' },
  { shape: 'JWT', value: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhYmMifQ.c2lnbmF0dXJlMQ', secret: 'eyJzdWIiOiJhYmMifQ' },
  { shape: 'PEM private key', value: '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0\n-----END PRIVATE KEY-----', secret: 'MIIEvQIBADANBgkqhkiG9w0' },
  { shape: 'AWS access key id', value: 'AKIAIOSFODNN7EXAMPLE', secret: 'AKIAIOSFODNN7EXAMPLE' },
  { shape: 'GitHub installation token', value: `ghs_${'A1b2C3d4'.repeat(5)}`, secret: 'A1b2C3d4A1b2C3d4' },
  { shape: 'GitHub personal token', value: `ghp_${'Z9y8X7w6'.repeat(5)}`, secret: 'Z9y8X7w6Z9y8X7w6' },
];
