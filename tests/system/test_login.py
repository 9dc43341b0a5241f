

def test_demo_admin_signs_in_and_sees_the_home_page_in_chinese(client, login):
    login("admin")
    page = client.get("/").get_data(as_text=True)
    assert "欢迎" in page or "Welcome" in page
