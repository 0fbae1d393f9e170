"""MentorDesk: a desktop workspace for mentors."""

__version__ = "0.1.0"
APP_NAME = "MentorDesk"
APP_ID = "mentordesk"
