
u
/{job="api", path="C:\\logs\t\"x\"", host=`raw`}
Àö×{GET /index.html 200!
Áö×second
trace_idt-1

{}
	no labels

job=badx