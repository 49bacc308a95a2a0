// The service's JSON, as the README documents it.

export type LeaseStatus = 'provisioning' | 'running' | 'ending' | 'ended';
export type EndReason = 'expired' | 'released' | 'disconnected' | 'idle' | 'lost' | 'failed' | 'exited';

export type ContainerState = 'created' | 'running' | 'paused' | 'stopped' | 'exited' | 'restarting' | 'missing';

export interface ContainerStatus {
  state: ContainerState;
  exitCode?: number;
  oomKilled: boolean;
  startedAt?: string;
  finishedAt?: string;
  restartCount: number;
  health?: 'starting' | 'healthy' | 'unhealthy';
}

export type ContainerAction = 'start' | 'stop' | 'restart' | 'pause' | 'unpause';

/** A frame of the event channel (WS /ws/events). */
export interface ServiceEvent {
  id: number;
  at: string;
  type: string;
  leaseId?: string;
  user?: string;
  data: Record<string, unknown>;
}

export interface Lease {
  id: string;
  imageType: string;
  status: LeaseStatus;
  createdAt: string;
  expiryTime: string;
  maxExpiryTime: string;
  remainingSeconds: number;
  endReason?: EndReason;
  endedAt?: string;
  detail?: string;
  disconnectGraceSeconds?: number;
  idleTimeoutSeconds?: number;
  connections?: number;
  lastActivityAt?: string;
  nextEnd?: { reason: EndReason; at: string };
  container?: ContainerStatus;
  /** Only on an extension's answer: the grant stopped at maxExpiryTime. */
  clamped?: boolean;
}

export interface LeasePage {
  containers: Lease[];
  nextCursor: string | null;
  serverTime: string;
}

export interface ImageType {
  imageType: string;
  description: string | null;
  defaultDurationSeconds: number;
  terminal: boolean;
  sessionDefaults: { disconnectGraceSeconds: number | null; idleTimeoutSeconds: number | null };
  memoryMb: number;
  cpus: number;
  /** False when its image could not be had (not on the engine, its registry out of reach); then why. */
  available?: boolean;
  unavailableReason?: string;
  /** Ports its program serves, to open as previews. */
  ports?: { port: number; name: string; protocol: 'http' | 'tcp' }[];
}

/** POST /api/containers/{id}/previews: a link that opens a port inside the lease in a browser. */
export interface PreviewLink {
  port: number;
  url: string;
  origin: string;
  expiresAt: string;
}

export interface Catalog {
  imageTypes: ImageType[];
  minDurationSeconds: number;
  maxDurationSeconds: number;
}

export interface Me {
  user: string;
  admin: boolean;
  serverTime: string;
}

export interface ActivityEntry {
  at: string;
  user: string;
  action: string;
  leaseId?: string;
  client?: string;
  outcome: string;
  reason?: string;
}

export interface ActivityPage {
  entries: ActivityEntry[];
  nextCursor: string | null;
}

export interface ProvisionRequest {
  imageType: string;
  durationSeconds: number;
  env?: Record<string, string>;
  secretEnv?: Record<string, string>;
  disconnectGraceSeconds?: number;
  idleTimeoutSeconds?: number;
}

export interface Usage {
  at: string;
  cpuPercent: number;
  memoryBytes: number;
  memoryLimitBytes: number;
  pids: number;
  pidsLimit: number;
  blockReadBytes: number;
  blockWriteBytes: number;
}

export type FileType = 'file' | 'directory' | 'symlink' | 'other';

/** One entry of GET /api/containers/{id}/files/list. */
export interface FileEntry {
  name: string;
  type: FileType;
  size: number;
  mode: string;
  modified: string;
  linkTarget?: string;
}

export interface FileListing {
  path: string;
  type: FileType;
  entries: FileEntry[];
  truncated: boolean;
}
