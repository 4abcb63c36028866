import { describe, expect, it } from 'vitest'
import { toValidationIssues } from './error-handler.js'

describe('toValidationIssues', () => {
  it('names the field the way FastAPI does', () => {
    expect(
      toValidationIssues('body', [
        {
          instancePath: '',
          keyword: 'required',
          params: { missingProperty: 'name' },
          message: "must have required property 'name'",
        },
        {
          instancePath: '/tools/0/id',
          keyword: 'format',
          params: { format: 'uuid' },
          message: 'must match format "uuid"',
        },
        { instancePath: '/name', keyword: 'type', params: { type: 'string' }, message: 'must be string' },
      ]),
    ).toEqual([
      { loc: ['body', 'name'], msg: 'Field required', type: 'missing' },
      { loc: ['body', 'tools', 0, 'id'], msg: 'must match format "uuid"', type: 'value_error' },
      { loc: ['body', 'name'], msg: 'must be string', type: 'string_type' },
    ])
  })

  it('maps query and path parts', () => {
    const [q] = toValidationIssues('querystring', [
      { instancePath: '/page_size', keyword: 'maximum', params: {}, message: 'must be <= 100' },
    ])
    expect(q).toEqual({ loc: ['query', 'page_size'], msg: 'must be <= 100', type: 'less_than_equal' })
    const [p] = toValidationIssues('params', [{ instancePath: '/id', keyword: 'format', params: {}, message: 'bad' }])
    expect(p?.loc).toEqual(['path', 'id'])
  })
})

describe('toValidationIssues on nullable fields', () => {
  it('keeps the real failure, not the other branch of the union', () => {
    const issues = toValidationIssues('body', [
      {
        instancePath: '/text/0',
        keyword: 'maxLength',
        params: { limit: 5 },
        message: 'must NOT have more than 5 characters',
      },
      { instancePath: '/text', keyword: 'type', params: { type: 'null' }, message: 'must be null' },
      { instancePath: '/text', keyword: 'anyOf', params: {}, message: 'must match a schema in anyOf' },
    ])
    expect(issues).toEqual([
      { loc: ['body', 'text', 0], msg: 'must NOT have more than 5 characters', type: 'string_too_long' },
    ])
  })
})
