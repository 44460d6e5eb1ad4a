// Process credentials (include/linux/cred.h), reduced to what a single-user sandbox needs: root (0) and
// one ordinary user. Permission checks use fsuid/fsgid as Linux does.
export class Cred {
  constructor(
    public uid = 0, public gid = 0,
    public euid = uid, public egid = gid,
    public suid = uid, public sgid = gid,
    public fsuid = euid, public fsgid = egid,
    public groups: number[] = [],
  ) {}
  clone(): Cred {
    return new Cred(this.uid, this.gid, this.euid, this.egid, this.suid, this.sgid, this.fsuid, this.fsgid,
      [...this.groups]);
  }
  inGroup(gid: number): boolean { return this.fsgid === gid || this.groups.includes(gid); }
}
