"""Routes of the bureau's dashboard, ledger exports and bulk imports."""

from starlette.routing import BaseRoute, Route

from app.web import dashboard, exports, imports

ROUTES: list[BaseRoute] = [
    Route("/dashboard", dashboard.dashboard_page, name="dashboard"),
    Route("/dashboard/{panel:str}", dashboard.dashboard_panel),
    Route("/exports", exports.export_page, name="exports"),
    Route("/exports", exports.start_export, methods=["POST"]),
    Route("/exports/{job_id:id}", exports.export_job),
    Route("/exports/{job_id:id}/download", exports.download),
    Route("/exports/{job_id:id}/retry", exports.retry_export, methods=["POST"]),
    Route("/imports", imports.import_page, name="imports"),
    Route("/imports", imports.upload, methods=["POST"]),
    Route("/imports/templates/{kind:str}", imports.template),
]
