import { Type } from 'typebox'
import { NO_NUL } from '../../shared/http/schemas.js'

/** A prompt's, tool's or config's name (every version shares it). */
export const Name = Type.String({ minLength: 1, maxLength: 256, pattern: NO_NUL })

export const VersionDescription = Type.String({ maxLength: 1024, pattern: NO_NUL })
