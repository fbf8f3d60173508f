"""The read-only JSON API under /api/v1/ (Django REST framework, described by drf-spectacular).

Only what an anonymous visitor sees on the pages: no user names or e-mail addresses (a status update is signed
with the name the pages show), no comments, no audit trail, and a period's progress report only once the period is
published. Every request is read as an anonymous one (the API has no authentication), so a logged-in person's
session can never widen what it answers.
"""
