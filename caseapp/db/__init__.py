"""Database layer: SQLAlchemy models, sessions, repositories and Alembic migrations."""
