"""What the commands share that is no command (as kubectl's cmd/util): client, streams, selection, runners."""
