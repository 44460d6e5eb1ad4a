/*
 * The wasmux file service protocol: wire constants shared by fsd (C) and runtime/protocol/fs/wire.ts (TS).
 * The full description is docs/design/fs-protocol.md; tests/fsd.test.ts checks that every FSD_ define
 * below has the same value in wire.ts. Keep each define a plain number so that check can read it.
 *
 * A frame is a 12-byte little-endian header and a payload:
 *   0 u32 payload length   4 u8 type   5 u8 flags   6 u16 reserved (0)   8 u32 request id
 * Requests carry an op as type; replies carry FSD_REPLY | op; unsolicited watch events carry FSD_EVENT.
 */
#ifndef FSD_PROTO_H
#define FSD_PROTO_H

#define FSD_VERSION 1
#define FSD_HEADER_SIZE 12
/* Largest payload in either direction: a 1 MiB data chunk plus a path and the fixed fields. */
#define FSD_MAX_PAYLOAD 1056768
/* Largest data chunk of one READ reply or one WRITE request. */
#define FSD_MAX_DATA 1048576
/* Longest path or name string (PATH_MAX without the terminating NUL). */
#define FSD_MAX_PATH 4095
/* A READDIR reply stops adding entries past this many payload bytes and sets FSD_R_MORE. */
#define FSD_READDIR_PAGE 262144
#define FSD_MAX_CLIENTS 64
#define FSD_MAX_WATCHES 1024
/* Size of the stat record (see fs-protocol.md). */
#define FSD_STAT_SIZE 48

/* Ops (the type byte of a request). */
#define FSD_OP_HELLO 1
#define FSD_OP_STAT 2
#define FSD_OP_READDIR 3
#define FSD_OP_READ 4
#define FSD_OP_WRITE 5
#define FSD_OP_MKDIR 6
#define FSD_OP_RENAME 7
#define FSD_OP_UNLINK 8
#define FSD_OP_RMDIR 9
#define FSD_OP_SYMLINK 10
#define FSD_OP_READLINK 11
#define FSD_OP_CHMOD 12
#define FSD_OP_WATCH 13
#define FSD_OP_UNWATCH 14
/* Requests use types 1..63; anything from FSD_REPLY up comes from the server only. */
#define FSD_OP_LIMIT 64

/* Server -> client types. */
#define FSD_REPLY 128
#define FSD_EVENT 192

/* Reply flags. */
#define FSD_R_ERROR 1
#define FSD_R_MORE 2

/* Request flags, per op. */
#define FSD_STAT_NOFOLLOW 1
#define FSD_WRITE_CREATE 1
#define FSD_WRITE_TRUNC 2
#define FSD_WRITE_EXCL 4
#define FSD_WRITE_ATOMIC 8
#define FSD_MKDIR_PARENTS 1
#define FSD_RENAME_NOREPLACE 1
#define FSD_RMDIR_RECURSIVE 1

/* HELLO reply feature bits. */
#define FSD_FEATURE_WATCH 1

/* Event mask bits (FSD_EVENT payload). */
#define FSD_EV_CREATED 1
#define FSD_EV_DELETED 2
#define FSD_EV_MODIFIED 4
#define FSD_EV_MOVED_FROM 8
#define FSD_EV_MOVED_TO 16
#define FSD_EV_ATTRIB 32
#define FSD_EV_SELF_DELETED 64
#define FSD_EV_SELF_MOVED 128
#define FSD_EV_ISDIR 256
#define FSD_EV_OVERFLOW 512
#define FSD_EV_GONE 1024

#endif
