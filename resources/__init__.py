"""Data package: the build maps this folder into the package as ``mentordesk.resources``."""
