"""Operations, the one way a change made in the field reaches the database: the contract a handler keeps
(contract.py) and the table of every operation type (registry.py). Applying one is visits/sync.py's job."""
