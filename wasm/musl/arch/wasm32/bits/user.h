/* wasm32 has no user-visible register file */
struct user_regs_struct {
	unsigned long __unused;
};
