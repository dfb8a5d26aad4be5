/**
 * Answers a CloudFormation custom resource request: one PUT of the JSON answer to the request's
 * pre-signed ResponseURL, with an empty content type (the URL is signed without one).
 */
import { KeyPublicationNotDelivered } from '../evidence/key-publication.ts';

export async function deliverCfnResponse(url: string, body: string): Promise<void> {
  const response = await fetch(url, { method: 'PUT', body, headers: { 'content-type': '' } });
  if (!response.ok) {
    throw new KeyPublicationNotDelivered(`the response URL answered HTTP ${response.status}`);
  }
}
