"""What analysts look at: the HTML report and read-only queries."""
