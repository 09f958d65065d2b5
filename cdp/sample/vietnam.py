"""Vietnamese locale data for the sample exports: names, cities, phone numbers, email domains.

Frequencies are rough but shaped like the real population (a handful of family names cover most
people), which is what makes name matching alone useless and identity resolution hard.
"""

import unicodedata

# (family name, weight): Nguyễn alone is ~38% of the population.
FAMILY_NAMES = [
    ("Nguyễn", 38), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 5), ("Huỳnh", 4),
    ("Phan", 4), ("Vũ", 4), ("Võ", 3), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 2),
    ("Ngô", 2), ("Dương", 1), ("Lý", 1), ("Đinh", 1), ("Trương", 1), ("Lương", 1), ("Mai", 1),
]
MALE_MIDDLE_NAMES = ["Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Hoàng", "Công", "Gia", "Anh"]
FEMALE_MIDDLE_NAMES = ["Thị", "Ngọc", "Thanh", "Thu", "Minh", "Kim", "Bảo", "Hồng", "Mỹ", "Diệu"]
MALE_GIVEN_NAMES = [
    "Anh", "Bình", "Cường", "Dũng", "Duy", "Đạt", "Hải", "Hiếu", "Hùng", "Huy", "Khánh", "Khoa",
    "Long", "Lâm", "Minh", "Nam", "Nghĩa", "Phong", "Phúc", "Quân", "Quang", "Sơn", "Tài", "Thắng",
    "Thành", "Tiến", "Trung", "Tuấn", "Tùng", "Việt", "Vinh", "Vũ",
]
FEMALE_GIVEN_NAMES = [
    "Anh", "Châu", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Hương", "Huyền", "Lan",
    "Linh", "Loan", "Mai", "My", "Nga", "Ngân", "Ngọc", "Nhung", "Oanh", "Phương", "Quỳnh", "Tâm",
    "Thảo", "Thủy", "Trang", "Trinh", "Tuyết", "Uyên", "Vân", "Yến",
]
CITIES = [
    ("Hồ Chí Minh", 35), ("Hà Nội", 30), ("Đà Nẵng", 8), ("Hải Phòng", 6), ("Cần Thơ", 5),
    ("Biên Hòa", 4), ("Nha Trang", 3), ("Huế", 3), ("Vũng Tàu", 3), ("Buôn Ma Thuột", 3),
]
STREETS = [
    "Lê Lợi", "Nguyễn Huệ", "Trần Hưng Đạo", "Hai Bà Trưng", "Lý Thường Kiệt", "Điện Biên Phủ",
]
# Districts and wards for addresses people fill in (the city's own where listed).
DISTRICTS = {
    "Hồ Chí Minh": ["Quận 1", "Quận 3", "Bình Thạnh", "Gò Vấp", "Tân Bình", "Thủ Đức"],
    "Hà Nội": ["Hoàn Kiếm", "Ba Đình", "Đống Đa", "Cầu Giấy", "Hai Bà Trưng", "Long Biên"],
    "Đà Nẵng": ["Hải Châu", "Thanh Khê", "Sơn Trà"],
}
WARDS = ["Phường 1", "Phường 4", "Phường 7", "Phường 12", "Phường Bến Nghé", "Phường Cửa Nam",
         "Phường Tân Định", "Phường Láng Hạ", "Xã Tân Phú"]
# Banks people name beside an account number (numbers of 10 to 14 digits).
BANKS = ["Vietcombank", "Techcombank", "VietinBank", "BIDV", "MB Bank", "ACB", "VPBank",
         "TPBank", "Agribank"]
# Mobile network prefixes after the trunk 0 (Viettel, Vinaphone, Mobifone, Vietnamobile).
MOBILE_PREFIXES = [
    "32", "33", "34", "35", "36", "37", "38", "39", "70", "76", "77", "78", "79", "81", "82",
    "83", "84", "85", "86", "88", "89", "90", "91", "93", "94", "96", "97", "98",
]
PERSONAL_EMAIL_DOMAINS = [
    ("gmail.com", 62), ("yahoo.com", 12), ("hotmail.com", 6), ("outlook.com", 6),
    ("icloud.com", 5), ("yahoo.com.vn", 5), ("fpt.vn", 4),
]
WORK_EMAIL_DOMAINS = ["fpt.com.vn", "vng.com.vn", "viettel.com.vn", "vinamilk.com.vn", "tiki.vn"]
# Landlines of the shop's own stores: cashiers type these for walk-in customers.
STORES = [
    ("Cửa hàng Quận 1", "Hồ Chí Minh", "028 3823 4567"),
    ("Cửa hàng Hoàn Kiếm", "Hà Nội", "024 3936 1234"),
    ("Cửa hàng Hải Châu", "Đà Nẵng", "0236 3822 888"),
]
# Mobile numbers some stores give as their own (a manager's phone on the counter).
STORE_MOBILES = ["0903 112 233", "0918 445 566", "0979 778 899"]
# Values people type into forms when they do not want to give theirs.
JUNK_EMAILS = ["test@test.com", "noemail@gmail.com", "na@na.com"]
JUNK_PHONES = ["0000000000", "0123456789", "0999999999"]
# Junk no blocklist names: valid-looking, so only how many people use them gives them away.
UNLISTED_JUNK_EMAILS = ["abc@abc.com", "khongco@gmail.com", "123@gmail.com", "email@email.com",
                        "a@a.vn"]
UNLISTED_JUNK_PHONES = ["0987654321", "0912345678", "0909090909", "0888888888"]
# Shared mailboxes of small companies: an office's accountant or front desk.
COMPANY_MAILBOX_NAMES = ["info", "ketoan", "lienhe", "sales", "office", "admin"]
COMPANY_DOMAINS = ["minhphat.vn", "anphu.com.vn", "saigontrade.vn", "hanoifood.vn",
                   "thanhcong.com", "vietan.vn", "hoanglong.com.vn", "daiphat.vn"]
PRODUCTS = [
    ("SKU-AO-001", "Áo thun cotton", 189000), ("SKU-AO-002", "Áo sơ mi linen", 459000),
    ("SKU-QU-001", "Quần jean slim", 599000), ("SKU-VA-001", "Váy hoa mùa hè", 529000),
    ("SKU-GI-001", "Giày sneaker trắng", 890000), ("SKU-TU-001", "Túi tote canvas", 249000),
    ("SKU-NO-001", "Nón bảo hiểm", 350000), ("SKU-KH-001", "Khẩu trang vải", 45000),
    ("SKU-DO-001", "Đồng hồ dây da", 1290000), ("SKU-BA-001", "Balo laptop", 749000),
]


def fold_diacritics(text: str) -> str:
    """'Nguyễn Đức' -> 'Nguyen Duc': what people type on keyboards without a Vietnamese layout."""
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(char for char in decomposed if not unicodedata.combining(char))
