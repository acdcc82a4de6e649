#!/bin/sh
# The demo CA of deploy/compose.yaml (the README's openssl worked example):
# a CA, a unit certificate of the demo unit, and an empty CRL served on
# :8080. Written to /ca once; the unit's files are what you log in with.
set -eu
cd /ca
if [ ! -f ca.pem ]; then
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca-key.pem -out ca.pem -days 3650 \
		-subj "/C=CN/O=Demo CA/CN=Demo CA" -addext "basicConstraints=critical,CA:true" -addext "keyUsage=critical,keyCertSign,cRLSign"
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout unit-key.pem -out unit.csr -utf8 \
		-subj "/C=CN/O=成都示例科技有限公司/CN=041@N91510100MA61ABCD1T@成都示例科技有限公司@00000001"
	printf 'basicConstraints=CA:false\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\ncrlDistributionPoints=URI:http://demo-ca:8080/demo.crl\n' > unit.ext
	openssl x509 -req -in unit.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 365 -extfile unit.ext -out unit.pem
	mkdir -p demoCA www && touch demoCA/index.txt && echo 01 > demoCA/crlnumber
	printf '[ca]\ndefault_ca=d\n[d]\ndatabase=demoCA/index.txt\ncrlnumber=demoCA/crlnumber\ndefault_md=sha256\ndefault_crl_days=30\n' > ca.cnf
	chmod 0644 ca.pem unit.pem unit-key.pem
fi
# A fresh CRL at every start (30 days).
openssl ca -config ca.cnf -gencrl -keyfile ca-key.pem -cert ca.pem -out demo.crl.pem
openssl crl -in demo.crl.pem -outform DER -out www/demo.crl
exec busybox httpd -f -p 8080 -h /ca/www
