"""Integration tests: ansible-playbook with the collection against the lab (python -m tests.lab)."""
