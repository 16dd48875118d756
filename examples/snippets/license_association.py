"""LicenseAssociation: the Backup shares the Primary's licenses on MySonicWall."""

import pulumi

from pulumi_sonicha import LicenseAssociation

licenses = LicenseAssociation(
    "licenses",
    primary_serial="2CB8ED0A1B2C",
    secondary_serial="2CB8ED0A9F00",  # the Backup ("HA Secondary" on MySonicWall)
)
pulumi.export("shared_licenses", licenses.shared_licenses)
