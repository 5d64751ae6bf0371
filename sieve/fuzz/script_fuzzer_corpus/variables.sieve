require ["variables", "fileinto", "imap4flags", "relational", "comparator-i;ascii-numeric"];
set :upperfirst :lower "name" "wILE";
if header :matches "Subject" "* [*] *" { fileinto "lists.${2}"; }
addflag "flags" ["\\Seen", "$Work"];
if string :count "ge" :comparator "i;ascii-numeric" ["${name}", "x"] "2" { keep :flags "${flags}"; }
