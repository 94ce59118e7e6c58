/**
 * Everything about an outbound call that YAML cannot say: its target, retries and Retry-After, the
 * Idempotency-Key, authentication tokens, dry runs, and the explanation of a failed call.
 */
package ai.cloudact.jobs.http;
