"""`run`: informer, work queue, leader election, metrics and logs."""
