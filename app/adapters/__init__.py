"""The outside world behind small interfaces: ``storage`` (files under generated keys), ``courier`` (the
courier providers: manual, HTTP), ``messaging`` (SMS gateway and mail). Tests drive the HTTP ones against
real servers on 127.0.0.1."""
