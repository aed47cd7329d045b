"""doit's compat module (platform helper)"""


def get_platform_system():
    """platform.system(), importing platform only when needed"""
    import platform
    return platform.system()
