"""Two different reports of one event (a state visit), written for the merge and publication tests."""

PUBLISHED = "2024-03-07T12:00:00Z"  # a Thursday
REPORT_A = ("Kenyan President Amara Otieno visited Ethiopia on Tuesday. Otieno met Ethiopian Prime "
            "Minister Dawit Bekele in Addis Ababa to discuss a new highway between the two countries. "
            "Officials said the talks lasted four hours.")
REPORT_B = ("Amara Otieno, the Kenyan President, arrived in Addis Ababa on Tuesday for a visit to "
            "Ethiopia. Kenyan and Ethiopian officials said trade and regional security were on the "
            "agenda, and journalists waited outside the palace for most of the afternoon.")
