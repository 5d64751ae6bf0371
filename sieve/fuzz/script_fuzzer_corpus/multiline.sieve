require ["reject", "encoded-character"];
/* bracket
   comment */
if size :over 1K { reject text: # why
Too big.
..leading dot
.
; }
redirect "${hex:61}@b.example";
