export interface SlotLimits {
  maxUsers: number;
  maxSessionsPerUser: number;
}

export type SlotClaim = { granted: true; release: () => void } | { granted: false; reason: string };

/**
 * Who is logged in over SFTP right now, counted per user, to hold the two limits an operator
 * sets: how many different users at once, and how many connections each. Counted per process:
 * with several replicas each one holds the limits on its own (documented in the README).
 */
export class LoginSlots {
  private readonly sessions = new Map<string, number>();

  constructor(private readonly limits: SlotLimits) {}

  claim(username: string): SlotClaim {
    const held = this.sessions.get(username) ?? 0;
    if (held === 0 && this.sessions.size >= this.limits.maxUsers) {
      return {
        granted: false,
        reason: `the server allows ${this.limits.maxUsers} SFTP users at once and is full; try again later`,
      };
    }
    if (held >= this.limits.maxSessionsPerUser) {
      return {
        granted: false,
        reason: `${username} already has ${held} SFTP connections, the most allowed; close one first`,
      };
    }
    this.sessions.set(username, held + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const left = (this.sessions.get(username) ?? 1) - 1;
      if (left > 0) this.sessions.set(username, left);
      else this.sessions.delete(username);
    };
    return { granted: true, release };
  }

  get users(): number {
    return this.sessions.size;
  }
}
