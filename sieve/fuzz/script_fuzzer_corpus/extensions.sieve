require ["date", "relational", "vacation-seconds", "body", "envelope", "subaddress",
         "mailbox", "duplicate", "environment", "include", "variables", "copy", "fileinto"];
if currentdate :zone "+0100" :value "ge" "date" "2000-01-01" { set "y" "1"; }
if date :originalzone :is "date" "weekday" "2" { redirect :copy "x@y.example"; }
if body :content "text" :contains "anvil" { fileinto :create "anvils"; }
if envelope :detail "to" "lists" { stop; }
if duplicate :seconds 60 { discard; }
if environment :matches "domain" "*.example" { vacation :seconds 3600 :subject "away" "gone"; }
include :optional :once "self";
