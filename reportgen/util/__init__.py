"""What knows nothing of reportgen: forked processes (forks.py) and the system's native
libraries and memory (native.py). A test holds it so: nothing here imports the rest."""
