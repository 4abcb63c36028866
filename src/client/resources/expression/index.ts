import type { HttpClient } from '../../core/http.js'

/** `client.expressionMeasurement`: batch jobs and the streaming socket. */
export class ExpressionMeasurementClient {
  constructor(private readonly http: HttpClient) {}
}
