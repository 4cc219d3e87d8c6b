"""Pages of the risk register, one module per page group; ``risks/urls.py`` names each view by its
module (there is no re-export here)."""
