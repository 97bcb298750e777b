"""The 千企帮千村 domain's GraphQL fields: regions and villages, enterprises and cooperatives,
agreements, outcome reports and recommendations."""

from app.schema.followup_mutations import FollowupMutations
from app.schema.organisation_mutations import OrganisationMutations
from app.schema.organisations import OrganisationQueries
from app.schema.pairing import PairingQueries
from app.schema.pairing_mutations import PairingMutations
from app.schema.recommendations import RecommendationMutations, RecommendationQueries
from app.schema.regions import RegionMutations, RegionQueries
from app.schema.report_mutations import ReportMutations
from app.schema.village_mutations import VillageMutations

QUERIES = (RegionQueries, OrganisationQueries, PairingQueries, RecommendationQueries)
MUTATIONS = (
    RegionMutations,
    VillageMutations,
    OrganisationMutations,
    PairingMutations,
    FollowupMutations,
    ReportMutations,
    RecommendationMutations,
)
