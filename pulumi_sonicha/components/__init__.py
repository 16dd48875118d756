"""Components: the HA procedure declared once per pair (`FirewallPair`) or per fleet.

The resources in `pulumi_sonicha.resources` stay for programs that need one step
alone; these put them in the right order with the right dependencies.
"""

from .firewall_fleet import FirewallFleet
from .firewall_pair import FirewallPair, FirewallPairArgs

__all__ = ["FirewallFleet", "FirewallPair", "FirewallPairArgs"]
