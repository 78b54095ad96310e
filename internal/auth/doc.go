// Package auth holds who may do what: the roles and their permissions, the
// acting user (Actor) carried through every use case, accounts and their
// grants with separation of duties (三权分立) enforced on every account
// action, passwords (argon2id, the 等保 policy profile), server-side
// sessions, API tokens, the TOTP second factor, the per-account lockout and
// the per-address login throttle. Its numbers come from the security
// settings (SecuritySource); it does not import the policy package, which
// itself needs auth.
package auth
