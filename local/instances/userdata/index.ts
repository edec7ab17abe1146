// Reads user data as the image family's boot agent would.
import type { BootConfig, ImageFamily } from '../boot-config.js';
import { readBootstrapScript } from './bootstrap-sh.js';
import { readBottlerocketSettings } from './bottlerocket.js';
import { readNodeConfig } from './nodeadm.js';
import { userDataParts } from './parts.js';

export async function readBootConfig(family: ImageFamily, userData: string): Promise<BootConfig> {
  const parts = await userDataParts(userData);
  if (family === 'al2023') return readNodeConfig(parts);
  if (family === 'bottlerocket') return readBottlerocketSettings(parts);
  return readBootstrapScript(parts);
}
