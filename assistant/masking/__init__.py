"""Personal data replaced by placeholders before a prompt leaves the machine, and put back."""
