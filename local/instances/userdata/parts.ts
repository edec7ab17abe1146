// Splits EC2 user data into parts the way cloud-init does: a MIME multi-part document gives one part per section
// with its content type; anything else is a single part, typed by its first line (a script starts with "#!").
import PostalMime from 'postal-mime';

export interface UserDataPart {
  contentType: string;
  body: string;
}

const MIME_HEADER = /^(mime-version|content-type)\s*:/im;

export async function userDataParts(userData: string): Promise<UserDataPart[]> {
  const blank = userData.search(/\r?\n\r?\n/);
  const head = blank < 0 ? userData : userData.slice(0, blank);
  if (MIME_HEADER.test(head) && /multipart\//i.test(head)) {
    const message = await PostalMime.parse(userData, { attachmentEncoding: 'utf8' });
    const parts = message.attachments.map((a) => ({ contentType: a.mimeType.toLowerCase(), body: String(a.content) }));
    if (message.text) parts.unshift({ contentType: 'text/plain', body: message.text });
    return parts;
  }
  return [{ contentType: userData.startsWith('#!') ? 'text/x-shellscript' : 'text/plain', body: userData }];
}
