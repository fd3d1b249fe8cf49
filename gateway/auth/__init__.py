"""Who is calling and what they may do: users, hashed secrets, the role matrix."""
