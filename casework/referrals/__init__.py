"""MARAC referrals: victims, perpetrators, children and the DASH risk assessment."""
