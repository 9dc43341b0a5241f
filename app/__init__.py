"""广元市政务服务“跨域通办” case system. The app is built by ``app.factory.create_app``.

Kept empty on purpose: importing ``app.domain`` must not pull in Flask or the configuration.
"""
