/* Layout the kernel writes for fstat64/fstatat64 (process-abi.md): 112 bytes */
struct kstat {
	dev_t st_dev;                 /*   0 */
	ino_t st_ino;                 /*   8 */
	mode_t st_mode;               /*  16 */
	nlink_t st_nlink;             /*  20 */
	uid_t st_uid;                 /*  24 */
	gid_t st_gid;                 /*  28 */
	dev_t st_rdev;                /*  32 */
	off_t st_size;                /*  40 */
	blksize_t st_blksize;         /*  48 */
	int __st_blksize_padding;     /*  52 */
	blkcnt_t st_blocks;           /*  56 */
	long long st_atime_sec;       /*  64 */
	long st_atime_nsec;           /*  72 */
	int __st_atime_pad;
	long long st_mtime_sec;       /*  80 */
	long st_mtime_nsec;           /*  88 */
	int __st_mtime_pad;
	long long st_ctime_sec;       /*  96 */
	long st_ctime_nsec;           /* 104 */
	int __st_ctime_pad;
};
