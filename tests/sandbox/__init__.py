"""Local sandbox: emulators of the SaaS APIs fabrik.deploy talks to, on loopback."""
